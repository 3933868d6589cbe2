// Placeholder replaced by the protocol generator.
console.log('generator not written yet', process.argv[2]);
