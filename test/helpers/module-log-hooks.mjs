// Module customization hooks (node --import): appends every module URL loaded through the ESM loader
// to the file named by MODULE_LOG_FILE, so a test can see what a process loaded at start.
import { register } from 'node:module';

if (process.env.MODULE_LOG_FILE) {
  register(
    `data:text/javascript,${encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      export async function load(url, context, next) {
        appendFileSync(${JSON.stringify(process.env.MODULE_LOG_FILE)}, url + '\\n');
        return next(url, context);
      }`)}`,
  );
}
