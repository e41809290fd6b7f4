// Mixes ASCII, CJK and an astral-plane emoji so every answer exercises UTF-8 splitting and surrogate
// pairs in the gateway; echoing the user text makes answers easy to tell apart in tests.
const ECHO_LENGTH = 40;

export function generateAnswer({ lastUserText }: { lastUserText: string }): string {
  const echo = Array.from(lastUserText).slice(0, ECHO_LENGTH).join('');
  return `您好！这是模拟的 DashScope 回答 😊 You said: ${echo}`;
}
