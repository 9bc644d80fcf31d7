// What an import cannot take: every problem found, each naming its place
// (file and line, or token serial), so an admin fixes them all in one pass.
// Nothing has been written when this is thrown.

import { OtpInputError } from '../otp/errors.ts';
import { StoreError } from '../store/errors.ts';
import { TokenTypeError } from '../tokens/types.ts';

export class ImportError extends Error {
  override name = 'ImportError';
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

/** Collects problems and throws them together once the whole input has been read. */
export class Problems {
  readonly list: string[] = [];

  add(problem: string): void {
    this.list.push(problem);
  }

  /** Runs `body`; a bad-input error from it becomes a problem prefixed with `where` (if any), anything else propagates. */
  guard<T>(where: string, body: () => T): T | undefined {
    const prefix = where === '' ? '' : `${where}: `;
    try {
      return body();
    } catch (err) {
      if (err instanceof ImportError) for (const p of err.problems) this.add(`${prefix}${p}`);
      else if (err instanceof OtpInputError || err instanceof TokenTypeError || err instanceof StoreError) this.add(`${prefix}${err.message}`);
      else throw err;
      return undefined;
    }
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new ImportError(this.list);
  }
}
