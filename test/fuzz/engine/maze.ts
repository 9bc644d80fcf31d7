// A target for the engine's own test: its failure sits behind three nested
// byte comparisons, which random inputs pass once in 2^24 tries and inputs
// kept for new coverage pass one comparison at a time.

export function fuzz(data: Buffer): void {
  if (data[0] === 0x46) {
    if (data[1] === 0x55) {
      if (data[2] === 0x5a) throw new Error('the maze is solved');
    }
  }
}
