// DashScope's frame (protocol §5.1): no space after the colons, the real status in a comment line,
// one data line, then a blank line. Result events carry `:HTTP_STATUS/200`, error events the error's status.
export function formatSseEvent({
  id,
  event,
  status,
  data,
}: {
  id: number;
  event: 'result' | 'error';
  status: number;
  data: string;
}): string {
  return `id:${id}\nevent:${event}\n:HTTP_STATUS/${status}\ndata:${data}\n\n`;
}
