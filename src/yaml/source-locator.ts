import type { Locator } from './locate';

/** What compiling a file's data needs to know about where things are written. */
export type SourceLocator = Pick<Locator, 'position' | 'range' | 'positionOf' | 'text'>;

/**
 * For data checked before (a rule packaged into a Lambda bundle): no text, every position 1:1.
 * A module of its own so that the bundle does not load the YAML parser that `Locator` needs.
 */
export const NO_LOCATOR: SourceLocator = {
  text: '',
  position: () => ({ line: 1, col: 1 }),
  range: () => undefined,
  positionOf: () => ({ line: 1, col: 1 }),
};
