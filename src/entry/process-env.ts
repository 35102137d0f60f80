/** The environment as the entry points read it: `process.env`, or a test's own copy. */
export type ProcessEnv = Readonly<Record<string, string | undefined>>;
