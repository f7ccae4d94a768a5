import { readFileSync } from 'node:fs';
import { definePackage } from '../../tsup.base';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

// `qadmin --version` prints the version it was built as, without reading package.json at run time.
export default definePackage({ define: { __QADMIN_CLI_VERSION__: JSON.stringify(version) } });
