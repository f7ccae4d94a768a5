import { definePackage } from '../../tsup.base';

// Shims give the CommonJS build an `import.meta.url` (findInstalledUi resolves from it).
export default definePackage({ shims: true });
