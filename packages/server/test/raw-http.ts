/**
 * @module test/raw-http
 * A deliberately dumb HTTP/1.1 client over one TCP socket, behaving like Zephyr's: exact request
 * bytes, no Accept and no User-Agent, keep-alive, and a response reader that only understands
 * Content-Length (a chunked response is a test failure, as it is on the device).
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export class RawHttpConnection {
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private closed = false;
  private readonly socket: Socket;
  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
  }

  static open(port: number): Promise<RawHttpConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new RawHttpConnection(s)));
      s.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async need(n: number): Promise<void> {
    while (this.buffer.length < n) {
      if (this.closed) throw new Error(`connection closed with ${this.buffer.length}/${n} bytes`);
      await new Promise<void>((r) => (this.waiting = r));
      this.waiting = null;
    }
  }

  async request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
    const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`);
    let end = -1;
    while ((end = this.buffer.indexOf('\r\n\r\n')) < 0) await this.need(this.buffer.length + 1);
    const head = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    this.buffer = this.buffer.subarray(end + 4);
    const status = Number(head[0]?.split(' ')[1]);
    const out: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    if (out['transfer-encoding'] !== undefined) throw new Error(`chunked/streamed response (transfer-encoding: ${out['transfer-encoding']}) — Zephyr cannot read it`);
    const length = method === 'HEAD' || status === 304 ? 0 : Number(out['content-length'] ?? NaN);
    if (!Number.isInteger(length)) throw new Error(`response ${status} without Content-Length`);
    await this.need(length);
    const payload = Buffer.from(this.buffer.subarray(0, length));
    this.buffer = this.buffer.subarray(length);
    return { status, headers: out, body: payload };
  }

  close(): void {
    this.socket.destroy();
  }
}
