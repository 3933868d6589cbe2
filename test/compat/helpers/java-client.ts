import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './repo-root.js';
import { runOk } from './run-client.js';

/**
 * Apache Kafka's Java client (kafka-clients 3.9, ../shared/java, see its README) with Debian's
 * JDK and codec jars: test/compat/java/JavaCompat.java is compiled once per test run into build/java
 * (ignored by git) and run with `java`. KAFKA_JAVA_CLIENT_JAR names another copy of the jar.
 */
const DEBIAN_JARS = '/usr/share/java';
export const KAFKA_CLIENTS_JAR =
  process.env.KAFKA_JAVA_CLIENT_JAR ?? resolve(REPO_ROOT, '../shared/java/kafka-clients-3.9.0.jar');
const BUILD_DIR = `${REPO_ROOT}build/java`;
const SOURCE = `${REPO_ROOT}test/compat/java/JavaCompat.java`;

/** The client's dependencies as Debian packages them (liblz4-java, libsnappy-java, libzstd-jni-java, libslf4j-java). */
const compileClasspath = () =>
  [
    KAFKA_CLIENTS_JAR,
    ...['lz4-java', 'snappy-java', 'zstd-jni', 'slf4j-api'].map((j) => `${DEBIAN_JARS}/${j}.jar`),
  ].join(':');

/** Compiles JavaCompat.java; fails with what to install when the jar or the JDK is missing. */
export async function compileJavaCompat(): Promise<void> {
  if (!existsSync(KAFKA_CLIENTS_JAR)) {
    throw new Error(
      `kafka-clients jar not found at ${KAFKA_CLIENTS_JAR}: see ../shared/java/README.md, or set KAFKA_JAVA_CLIENT_JAR`,
    );
  }
  mkdirSync(BUILD_DIR, { recursive: true });
  await runOk('javac', ['-d', BUILD_DIR, '-cp', compileClasspath(), SOURCE], { timeoutMs: 120_000 });
}

/** Runs one JavaCompat mode; resolves to its standard output (warnings and errors go to stderr). */
export function javaCompat(
  args: readonly (string | number)[],
  /** A client properties file added to every client's (STROM_COMPAT_CLIENT_PROPERTIES). */
  clientProperties?: string,
): Promise<string> {
  const env = clientProperties
    ? { env: { ...process.env, STROM_COMPAT_CLIENT_PROPERTIES: clientProperties } }
    : {};
  return runOk(
    'java',
    [
      // A short-lived client: quick start-up and a small heap matter more than peak speed.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Xmx256m',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      `${BUILD_DIR}:${compileClasspath()}:${DEBIAN_JARS}/slf4j-simple.jar`,
      'JavaCompat',
      ...args.map(String),
    ],
    env,
  );
}
