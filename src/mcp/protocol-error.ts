/**
 * A JSON-RPC error for the SDK's protocol layer to send: it forwards `code` and `message` as they are. (The SDK's own
 * McpError prefixes its message with "MCP error <code>:", and the client's prefixes it again.)
 */
export function protocolError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}
