// esbuild plugins for the Lambda bundles (serverless.yml custom.esbuild.plugins).
'use strict';
const path = require('node:path');
const { require: tsxRequire } = require('tsx/cjs/api');

/**
 * zod's classic API re-exports every one of its ~50 message locales, about 250 KB of the
 * logs bundle; Klaxon's messages are English only, so the locale index resolves to English alone.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.(c?js)$/ }, (args) => {
      if (!args.importer.includes(`${path.sep}zod${path.sep}`)) return undefined;
      return { path: path.join(__dirname, 'zod-locales-en.mjs') };
    });
  },
};

/**
 * Bolt loads every receiver at import: Socket Mode pulls in undici (~550 KB) and the HTTP
 * receivers' body parser pulls in iconv-lite (~500 KB). On Lambda only AwsLambdaReceiver
 * runs, so these two resolve to stand-ins that fail loudly if anything ever calls them.
 *
 * The AWS SDK clients' default credential chain (profiles, SSO, web identity, IMDS; ~100 KB
 * with the STS and SSO clients it carries) resolves to its first link, the environment: the
 * Lambda runtime always hands the function role's credentials over in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, valid for the execution environment's life.
 */
const STAND_INS = {
  '@slack/socket-mode': `class SocketModeClient { constructor() { throw new Error('Socket Mode is not part of the Lambda bundle'); } }
    module.exports = { SocketModeClient, LogLevel: {}, ErrorCode: {} };`,
  'iconv-lite': `const absent = () => { throw new Error('iconv-lite is not part of the Lambda bundle'); };
    module.exports = { encodingExists: () => false, getDecoder: absent, getEncoder: absent, decode: absent, encode: absent };`,
  '@aws-sdk/credential-provider-node': `const { fromEnv } = require('@aws-sdk/credential-provider-env');
    module.exports = { defaultProvider: (init) => fromEnv(init), credentialsWillNeedRefresh: () => false, credentialsTreatedAsExpired: () => false };`,
};
const STAND_IN_NAMES = new RegExp(`^(${Object.keys(STAND_INS).map((name) => name.replace(/[/.-]/g, '\\$&')).join('|')})$`);
const lambdaStandIns = {
  name: 'lambda-stand-ins',
  setup(build) {
    build.onResolve({ filter: STAND_IN_NAMES }, (args) => ({ path: args.path, namespace: 'stand-in' }));
    build.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({ contents: STAND_INS[args.path], loader: 'js', resolveDir: path.resolve(__dirname, '..') }));
  },
};

/**
 * `import packagedRules from 'klaxon:packaged-rules'` in the handlers: the rules/ and
 * templates/ directories, checked and with every embedded test run, as plain data in the
 * bundle. A bad rule or a failing test stops `serverless package` with its file and line.
 */
const packagedRules = {
  name: 'klaxon-packaged-rules',
  setup(build) {
    build.onResolve({ filter: /^klaxon:packaged-rules$/ }, (args) => ({ path: args.path, namespace: 'klaxon' }));
    build.onLoad({ filter: /.*/, namespace: 'klaxon' }, async () => {
      const root = path.resolve(__dirname, '..');
      const { packageRules, RulePackagingError } = tsxRequire('../src/deploy/package-rules.ts', __filename);
      try {
        const packaged = await packageRules(path.join(root, 'rules'), path.join(root, 'templates'), root);
        return {
          contents: `export default ${JSON.stringify(packaged)};`,
          loader: 'js',
          watchDirs: [path.join(root, 'rules'), path.join(root, 'rules', 'lists'), path.join(root, 'templates')],
        };
      } catch (error) {
        if (!(error instanceof RulePackagingError)) throw error;
        return { errors: error.problems.map((text) => ({ text })) };
      }
    });
  },
};

module.exports = [zodEnglishOnly, lambdaStandIns, packagedRules];
