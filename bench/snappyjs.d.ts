// snappyjs ships no types; it is a benchmark candidate only.
declare module 'snappyjs' {
  const SnappyJS: {
    compress(input: Uint8Array): Uint8Array;
    uncompress(input: Uint8Array): Uint8Array;
  };
  export default SnappyJS;
}
