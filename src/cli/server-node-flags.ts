/**
 * Node flags the broker process runs with: the `strom` command's shebang and `npm start` pass
 * them (a test keeps those two in step with this list), and tools that spawn a broker with
 * `process.execPath` pass them explicitly.
 *
 * --initial-old-space-size: V8 sizes a small heap's first collection limits from its live size
 * (about 12 MB for a broker), so under load a broker ran a full mark-compact every 20-100 ms;
 * starting from 64 MB it runs cheap scavenges instead.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64'];
