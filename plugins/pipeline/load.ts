import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { WeftError, type JsonObject } from '#kernel';
import { PipelineErrors } from './errors.js';

/** Parses pipeline text: YAML for `.yaml`/`.yml`, JSON otherwise (YAML as a fallback for other names). */
export function parseDocument(text: string, file: string): unknown {
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return parseYamlText(text, file);
  try {
    return JSON.parse(text) as unknown;
  } catch (e: unknown) {
    if (ext !== '.json') return parseYamlText(text, file);
    throw new WeftError(PipelineErrors.PARSE, `${file} is not valid JSON: ${(e as Error).message}`, { cause: e, data: { file } });
  }
}

function parseYamlText(text: string, file: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true }) as unknown;
  } catch (e: unknown) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    throw new WeftError(PipelineErrors.PARSE, `${file} is not valid YAML${where}: ${(e as Error).message.split('\n')[0]}`, { cause: e, data: { file } });
  }
}

/** Reads and parses a pipeline file; the document must be an object. */
export async function readDocument(file: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e: unknown) {
    throw new WeftError(PipelineErrors.FILE_UNREADABLE, `Cannot read pipeline file ${file}: ${(e as NodeJS.ErrnoException).code}`, { cause: e, data: { file } });
  }
  // Editors on some systems save a byte-order mark that JSON.parse refuses.
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), file);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new WeftError(PipelineErrors.SCHEMA, `${file} must contain a pipeline object (with name, steps and flow)`, { path: '', data: { file } });
  }
  return doc as JsonObject;
}
