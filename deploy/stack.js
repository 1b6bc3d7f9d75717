// The stage-dependent parts of serverless.yml, computed from deploy/<stage>.yml by
// src/deploy/ (TypeScript, loaded through tsx so there is one definition, the one
// `klaxon doctor` checks against). Used as ${file(./deploy/stack.js):NAME}.
'use strict';
const { require: tsxRequire } = require('tsx/cjs/api');

const deploy = {
  config: tsxRequire('../src/deploy/config.ts', __filename),
  names: tsxRequire('../src/deploy/names.ts', __filename),
  stack: tsxRequire('../src/deploy/stack.ts', __filename),
  organization: tsxRequire('../src/deploy/organization.ts', __filename),
  geoIpFiles: tsxRequire('../src/deploy/geoip-files.ts', __filename),
};

/** `serverless deploy` needs the stage's own config; `package` and the rest may fall back to the example. */
function deploying() {
  return process.argv.slice(2).some((arg) => arg === 'deploy');
}

async function stage({ resolveVariable }) {
  const name = await resolveVariable('sls:stage');
  const region = await resolveVariable('self:provider.region');
  let loaded;
  try {
    loaded = deploy.config.loadStageConfig(name, { allowExample: !deploying() });
  } catch (error) {
    if (error instanceof deploy.config.DeployConfigError) throw new Error(error.message);
    throw error;
  }
  if (loaded.example && !warned) {
    warned = true;
    process.stderr.write(`klaxon: no deploy/${name}.yml, so the example config stands in (enough to package; copy it to deploy/${name}.yml before deploying)\n`);
  }
  const home = loaded.config.organization?.homeRegion;
  if (home !== undefined && home !== region) {
    throw new Error(`${loaded.file}: organization.homeRegion is ${home}, but this is ${region}: the central stack goes in the home region (--region ${home}); other regions get a destination stack (README, "Many accounts")`);
  }
  return { config: loaded.config, names: deploy.names.stageNames(name, loaded.config) };
}
let warned = false;

module.exports = {
  settings: async (context) => {
    const { config, names } = await stage(context);
    return deploy.stack.stageSettings(config, names);
  },
  logsEvents: async (context) => deploy.stack.logsEvents((await stage(context)).config),
  resources: async (context) => {
    const { config, names } = await stage(context);
    return deploy.stack.stackResources(config, names);
  },
  cloudtrailEvents: async (context) => {
    const { config, names } = await stage(context);
    return deploy.organization.cloudtrailEvents(config, names, deploy.stack.EVENT_BRIDGE_RETRY_POLICY);
  },
  organizationFunctions: async (context) => deploy.organization.organizationFunctions((await stage(context)).config),
  // Built into the bundles as the global KLAXON_ACCOUNT_DIRECTORY (esbuild `define`): too large for Lambda's 4 KB of environment.
  bundleDefines: async (context) => ({ KLAXON_ACCOUNT_DIRECTORY: JSON.stringify((await stage(context)).config.accounts) }),
  // The GeoIP database's files in the zips of the functions that read addresses (src/deploy/geoip-files.ts).
  geoIpPatterns: deploy.geoIpFiles.GEOIP_PACKAGE_PATTERNS,
  guardrails: async (context) => deploy.stack.providerGuardrails((await stage(context)).config),
};
