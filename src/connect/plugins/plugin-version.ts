/** The version Strom's built-in plugins report: Kafka's release whose Connect API they follow. */
export const BUILTIN_PLUGIN_VERSION = '3.9.0';
