/** What `import packagedRules from 'klaxon:packaged-rules'` gives under jest (jest.config.js maps it here): the repository's rules and templates, as the bundler packages them. */
import { join } from 'node:path';
import { collectRules } from '../../src/deploy/package-rules';

const root = join(__dirname, '..', '..');
export default collectRules(join(root, 'rules'), join(root, 'templates'), root).data;
