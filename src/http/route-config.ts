// What our routes say about themselves in Fastify's route config, typed once
// for every plugin that reads it.

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Open without a session or API key: logins and the OpenAPI document. */
    public?: boolean;
    /** Which of LinOTP's validate endpoints the route is. */
    linotp?: 'check' | 'simplecheck';
  }
}

export {};
