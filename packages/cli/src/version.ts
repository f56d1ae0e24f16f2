declare const AGENTBOX_CLI_VERSION: string | undefined;

/** The CLI's version: inlined by the bundler from package.json; `0.0.0-dev` when run from source. */
export const version: string = typeof AGENTBOX_CLI_VERSION === 'string' ? AGENTBOX_CLI_VERSION : '0.0.0-dev';
