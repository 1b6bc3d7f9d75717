// Stands in for zod/v4/locales/index.js in the Lambda bundles (see esbuild-plugins.js).
export { default as en } from 'zod/v4/locales/en.js';
