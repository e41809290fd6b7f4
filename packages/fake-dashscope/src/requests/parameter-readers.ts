import { invalidParameter } from '../wire-format.js';

// Typed reads of `parameters` fields. JSON null counts as absent, as DashScope treats it; a value of
// the wrong type is DashScope's 400 InvalidParameter naming the field.

type Parameters = Readonly<Record<string, unknown>>;

export function readNumber(parameters: Parameters, name: string): number | undefined {
  const value = parameters[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidParameter(`Parameter "${name}" must be a number.`);
  return value;
}

export function readInteger(parameters: Parameters, name: string): number | undefined {
  const value = parameters[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidParameter(`Parameter "${name}" must be an integer.`);
  return value;
}

export function readBoolean(parameters: Parameters, name: string): boolean | undefined {
  const value = parameters[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParameter(`Parameter "${name}" must be a boolean.`);
  return value;
}

/** Throws DashScope's range message (`Range of temperature should be [0.0, 2.0)`) unless `inRange`. */
export function assertRange({
  name,
  value,
  inRange,
  range,
}: {
  name: string;
  value: number | undefined;
  inRange: (value: number) => boolean;
  range: string;
}): void {
  if (value !== undefined && !inRange(value)) throw invalidParameter(`Range of ${name} should be ${range}`);
}
