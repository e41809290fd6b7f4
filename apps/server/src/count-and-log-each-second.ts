import type { Logger } from '@gw/express-middleware';

/**
 * A warning for events that come in floods (refused connections): each occurrence is counted, and one
 * line a second says how many there were, so a flood is visible without flooding the log.
 */
export function countAndLogEachSecond(logger: Logger, message: string, fields: Readonly<Record<string, number>>): () => void {
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  return function countOne() {
    count += 1;
    timer ??= setTimeout(() => {
      logger.warn(message, { ...fields, refused: count });
      count = 0;
      timer = undefined;
    }, 1_000).unref();
  };
}
