/** The rules and templates the bundler packages (deploy/esbuild-plugins.js; in tests, jest maps it to test/helpers/packaged-rules.ts). */
declare module 'klaxon:packaged-rules' {
  import type { PackagedRules } from '../src/lambda/packaged-rules';
  const packaged: PackagedRules;
  export default packaged;
}
