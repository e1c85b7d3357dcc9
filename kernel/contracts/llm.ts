/** A request to a language model through the `llm` service. */
export interface LlmRequest {
  prompt: string;
  system?: string;
  /** Preferred provider name; the service falls back to others when it fails. */
  provider?: string;
  /** Ask for a JSON answer. */
  json?: boolean;
  signal?: AbortSignal;
}

/** A model's answer. */
export interface LlmResponse {
  text: string;
  provider: string;
  model?: string;
  usage?: { input_tokens: number; output_tokens: number };
}

/** The `llm` service contract: providers with fallback live behind it. */
export interface LlmService {
  generate(request: LlmRequest): Promise<LlmResponse>;
}
