import http, { IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { ApiApp } from './create-api-app';

type Constructor = abstract new (...args: never[]) => object;

/** Node's own constructors are plain functions; a `class` cannot be called on an object made elsewhere. */
const isPlainFunction = (f: Constructor) => !Function.prototype.toString.call(f).startsWith('class');

/**
 * A constructor that runs `base` on an object whose prototype is `proto`
 * (which inherits from `base.prototype`). Called, not `Reflect.construct`ed:
 * V8 gives objects made that way no stable shape, and they cost as much as
 * the re-parenting they replace.
 */
function withPrototype(base: Constructor, proto: object): unknown {
  const init = base as unknown as (this: object, ...args: unknown[]) => void;
  function Derived(this: object, ...args: unknown[]): void {
    init.apply(this, args);
  }
  Derived.prototype = proto;
  return Derived;
}

/**
 * The HTTP server of an API app: its fast path in front of Express, and
 * requests and responses born with the app's prototypes. Express otherwise
 * re-parents every request and response (`Object.setPrototypeOf`), which on
 * V8 makes each one survive into the old generation: 5-15 ms scavenges every
 * few hundred requests and twice the CPU per request. Re-parenting to the
 * prototype an object already has is a no-op.
 */
export function createApiServer(api: Pick<ApiApp, 'app' | 'handler'>): Server {
  if (!isPlainFunction(IncomingMessage) || !isPlainFunction(ServerResponse))
    return http.createServer(api.handler);
  return http.createServer(
    {
      IncomingMessage: withPrototype(IncomingMessage, api.app.request) as typeof IncomingMessage,
      ServerResponse: withPrototype(ServerResponse, api.app.response) as typeof ServerResponse,
    },
    api.handler,
  );
}

/**
 * Serves an API app on `port` (0 picks a free one); resolves once
 * listening, rejects if the port cannot be bound. Use this rather than
 * `app.listen`, which has neither the fast path nor the prototypes.
 */
export function listenApi(
  api: Pick<ApiApp, 'app' | 'handler'>,
  port: number,
  host = '127.0.0.1',
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createApiServer(api);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
