import type { AddressInfo } from 'node:net';
import type { ApiApp } from '../api/create-api-app';
import { listenApi } from '../api/listen-api';

export interface Listening {
  url: string;
  /** Stops accepting, drops idle and open connections, and resolves once closed. */
  close(): Promise<void>;
}

/** Serves `api` on `host:port` (0 picks a free port) and reports a URL a browser can open. */
export async function listenHttp(api: ApiApp, port: number, host = '127.0.0.1'): Promise<Listening> {
  const server = await listenApi(api, port, host);
  const address = server.address() as AddressInfo;
  const shown = address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.address;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
