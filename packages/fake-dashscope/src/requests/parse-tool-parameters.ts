import { isRecord } from '../is-record.js';
import { invalidParameter } from '../wire-format.js';
import { readBoolean } from './parameter-readers.js';

// Function calling (protocol §3.2): OpenAI-shaped `tools`, DashScope's narrower `tool_choice`, and
// `parallel_tool_calls`.

export interface ToolDefinition {
  name: string;
  /** The function's JSON schema, when given. */
  parameters: Record<string, unknown> | undefined;
}

/** 'auto', 'none', or the one function the model must call. */
export type ToolChoice = 'auto' | 'none' | { name: string };

export interface ToolParameters {
  tools: ToolDefinition[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
}

const TOOLS_SHAPE =
  'Parameter "tools" must be a list of objects like {"type": "function", "function": {"name": ..., "description": ..., "parameters": {...}}}.';
// DashScope's answer to "required" and to anything else it does not know (error-code page, protocol §3.2).
const TOOL_CHOICE_VALUES = 'tool_choice is one of the strings that should be ["none", "auto"]';

export function parseToolParameters(parameters: Readonly<Record<string, unknown>>): ToolParameters {
  const tools = parseTools(parameters.tools);
  return {
    tools,
    toolChoice: parseToolChoice({ value: parameters.tool_choice, tools }),
    parallelToolCalls: readBoolean(parameters, 'parallel_tool_calls') ?? false,
  };
}

function parseTools(value: unknown): ToolDefinition[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter(TOOLS_SHAPE);
  return value.map((tool: unknown) => {
    if (!isRecord(tool) || tool.type !== 'function' || !isRecord(tool.function)) throw invalidParameter(TOOLS_SHAPE);
    const { name, description, parameters } = tool.function;
    if (typeof name !== 'string' || name.length === 0) throw invalidParameter(TOOLS_SHAPE);
    if (description !== undefined && description !== null && typeof description !== 'string') throw invalidParameter(TOOLS_SHAPE);
    if (parameters !== undefined && parameters !== null && !isRecord(parameters)) throw invalidParameter(TOOLS_SHAPE);
    return { name, parameters: isRecord(parameters) ? parameters : undefined };
  });
}

function parseToolChoice({ value, tools }: { value: unknown; tools: readonly ToolDefinition[] }): ToolChoice {
  if (value === undefined || value === null || value === 'auto') return 'auto';
  if (value === 'none') return 'none';
  if (!isRecord(value) || value.type !== 'function' || !isRecord(value.function) || typeof value.function.name !== 'string') {
    throw invalidParameter(TOOL_CHOICE_VALUES);
  }
  const { name } = value.function;
  if (!tools.some((tool) => tool.name === name)) {
    throw invalidParameter(`tool_choice names the function "${name}", which is not in "tools".`);
  }
  return { name };
}
