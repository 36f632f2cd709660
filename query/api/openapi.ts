/** The v1 HTTP contract as an OpenAPI 3 document, served at /openapi.json; a test checks the routes match it. */
const error = { $ref: '#/components/responses/Error' };
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: unknown) => ({ description, ...json(schema) });
const q = (name: string, description: string, required = false, schema: unknown = { type: 'string' }) => ({
  name,
  in: 'query',
  required,
  description,
  schema,
});
const p = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
const id = { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$' };
const viewer = q('viewer', 'The user searching; ranks and filters by their follow graph', false, id);
const admin = [{ bearer: [] }];
const obj = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
});
const topPost = obj({ id, imageUrl: { type: 'string' } });
const mediaPage = obj({
  total: { type: 'integer' },
  items: {
    type: 'array',
    items: obj({
      id,
      imageUrl: { type: 'string' },
      authorId: id,
      createdAt: { type: 'string', format: 'date-time' },
    }),
  },
  nextCursor: { type: ['string', 'null'] },
});

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'picsearch',
    version: '1',
    description: 'Hashtag pages, typeahead and set-operation search for a photo-sharing network.',
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' } },
    responses: {
      Error: {
        description: 'Every error: a code, a message and, for bad input, the field or position.',
        ...json(
          obj({
            error: obj(
              { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
              ['code', 'message'],
            ),
          }),
        ),
      },
    },
  },
  paths: {
    '/v1/events': {
      post: {
        summary: 'Append upload events (one, or an array of up to 1000) to the event log',
        security: admin,
        requestBody: {
          required: true,
          ...json({
            oneOf: [{ $ref: './schemas/json/upload-event.schema.json' }, { type: 'array', maxItems: 1000 }],
          }),
        },
        responses: {
          '202': ok('Appended', obj({ accepted: { type: 'integer' } })),
          '400': error,
          '401': error,
          '403': error,
        },
      },
    },
    '/v1/admin/dead-letters': {
      get: {
        summary: 'Dead letters (events that failed validation), with their reasons',
        security: admin,
        parameters: [q('from', 'First dead-letter offset to list', false, { type: 'integer', minimum: 0 })],
        responses: {
          '200': ok('Dead letters', obj({ deadLetters: { type: 'array' } })),
          '400': error,
          '401': error,
          '403': error,
        },
      },
    },
    '/v1/admin/dead-letters/replay': {
      post: {
        summary: 'Put chosen dead letters back on their source topic',
        security: admin,
        requestBody: {
          required: true,
          ...json(obj({ offsets: { type: 'array', items: { type: 'integer' } } })),
        },
        responses: {
          '202': ok(
            'Replayed',
            obj({ replayed: { type: 'integer' }, missing: { type: 'array', items: { type: 'integer' } } }),
          ),
          '400': error,
          '401': error,
          '403': error,
        },
      },
    },
    '/v1/tags/{name}': {
      get: {
        summary: 'The hashtag page: count and top 100 posts, CDN-cacheable',
        parameters: [p('name', 'Hashtag, with or without #; matched case-insensitively, NFC')],
        responses: {
          '200': ok(
            'The page, with Cache-Control and a strong ETag',
            obj({
              tag: { type: 'string' },
              displayName: { type: 'string' },
              totalPosts: { type: 'integer' },
              topPosts: { type: 'array', maxItems: 100, items: topPost },
            }),
          ),
          '304': { description: 'Not modified (If-None-Match)' },
          '400': error,
          '404': error,
        },
      },
    },
    '/v1/tags/{name}/top': {
      put: {
        summary: "The ranking team's top posts for a tag (an empty list restores newest first)",
        security: admin,
        parameters: [p('name', 'Hashtag')],
        requestBody: {
          required: true,
          ...json(obj({ postIds: { type: 'array', maxItems: 100, items: id } })),
        },
        responses: {
          '202': ok('Queued on HASHTAG_TOP', obj({ tag: { type: 'string' }, accepted: { type: 'integer' } })),
          '400': error,
          '401': error,
          '403': error,
        },
      },
    },
    '/v1/search': {
      get: {
        summary: 'Typeahead over users, hashtags and places; # = hashtags only, @ = users only',
        parameters: [
          q('q', 'Prefix typed so far', true),
          viewer,
          q('limit', 'Per group, 1-50 (default 5)', false, { type: 'integer', minimum: 1, maximum: 50 }),
        ],
        responses: {
          '200': ok(
            'Suggestions by group',
            obj({
              users: {
                type: 'array',
                items: obj({
                  id,
                  username: { type: 'string' },
                  fullName: { type: 'string' },
                  followerCount: { type: 'integer' },
                  proximity: { enum: ['following', 'second', 'none'] },
                }),
              },
              hashtags: {
                type: 'array',
                items: obj({
                  tag: { type: 'string' },
                  displayName: { type: 'string' },
                  totalPosts: { type: 'integer' },
                }),
              },
              locations: {
                type: 'array',
                items: obj({ id, name: { type: 'string' }, mediaCount: { type: 'integer' } }),
              },
            }),
          ),
          '400': error,
        },
      },
    },
    '/v1/media': {
      get: {
        summary: 'Set-operation search: `#a #b -#c @user` or the s-expression language, newest first',
        parameters: [
          q('q', 'The query', true),
          viewer,
          q('limit', '1-100 (default 30)', false, { type: 'integer', minimum: 1, maximum: 100 }),
          q('cursor', 'nextCursor of the previous page'),
        ],
        responses: { '200': ok('A page of media', mediaPage), '400': error },
      },
    },
    '/v1/media/query': {
      post: {
        summary: 'The same search with the query as a JSON AST',
        requestBody: {
          required: true,
          ...json(
            obj(
              {
                query: {
                  type: 'object',
                  description: 'AST: {op:"term",kind,value} | {op:"and"|"or"|...,args}',
                },
                viewer: id,
                limit: { type: 'integer', minimum: 1, maximum: 100 },
                cursor: { type: 'string' },
              },
              ['query'],
            ),
          ),
        },
        responses: { '200': ok('A page of media', mediaPage), '400': error },
      },
    },
    '/v1/media/{id}': {
      get: {
        summary: 'A media document (private accounts: author and followers only)',
        parameters: [p('id', 'Media id'), viewer],
        responses: { '200': ok('MediaDoc', { type: 'object' }), '400': error, '404': error },
      },
    },
    '/v1/users/{id}': {
      get: {
        summary: 'A user document',
        parameters: [p('id', 'User id')],
        responses: { '200': ok('UserDoc', { type: 'object' }), '400': error, '404': error },
      },
    },
    '/v1/locations/{id}': {
      get: {
        summary: 'A location document',
        parameters: [p('id', 'Location id')],
        responses: { '200': ok('LocationDoc', { type: 'object' }), '400': error, '404': error },
      },
    },
    '/v1/trending': {
      get: {
        summary: 'Trending hashtags, by P·ln(P/P′)',
        parameters: [q('limit', '1-100 (default 20)', false, { type: 'integer', minimum: 1, maximum: 100 })],
        responses: {
          '200': ok(
            'Ranked tags',
            obj({
              tags: {
                type: 'array',
                items: obj({
                  tag: { type: 'string' },
                  displayName: { type: 'string' },
                  score: { type: 'number' },
                  count: { type: 'integer' },
                  expected: { type: 'number' },
                }),
              },
            }),
          ),
          '400': error,
        },
      },
    },
    '/healthz': { get: { summary: 'Liveness', responses: { '200': ok('Alive', { type: 'object' }) } } },
    '/readyz': {
      get: {
        summary: 'Ready once the index has caught up with the log, and from then on',
        responses: { '200': ok('Ready', { type: 'object' }), '503': error },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics',
        responses: { '200': { description: 'text/plain exposition format' } },
      },
    },
    '/openapi.json': {
      get: { summary: 'This document', responses: { '200': ok('OpenAPI 3', { type: 'object' }) } },
    },
  },
} as const;
