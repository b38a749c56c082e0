import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const SCREENSHOT_DIRECTORY = path.join(root, 'test-results/ui-screenshots');

/** The console is served from dist/ui/public: build it when a test runs before `npm run build`. */
export function ensureUiBuilt(): void {
  if (!existsSync(path.join(root, 'dist/ui/public/index.html')))
    execFileSync(process.execPath, [path.join(root, 'scripts/build-ui.mjs')], { stdio: 'inherit' });
}

/** Debian's chromium, headless (CI installs it with apt). */
export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export interface PageShot {
  readonly name: string;
  readonly hash: string;
  /** Waits until the page shows its data. */
  readonly ready: (page: Page) => Promise<void>;
}

/** Saves a full-page screenshot of every page in light and dark, at desktop and phone width. */
export async function screenshotAllVariants(browser: Browser, baseUrl: string, password: string, pages: readonly PageShot[]): Promise<string[]> {
  await mkdir(SCREENSHOT_DIRECTORY, { recursive: true });
  const files: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      const context = await browser.newContext({ colorScheme, viewport });
      const page = await context.newPage();
      await page.goto(`${baseUrl}/ui/`);
      await page.getByLabel('Admin key').waitFor();
      const loginFile = path.join(SCREENSHOT_DIRECTORY, `login-${colorScheme}-${size}.png`);
      await page.screenshot({ path: loginFile, fullPage: true });
      files.push(loginFile);
      const response = await context.request.post(`${baseUrl}/api/session`, { data: { password } });
      if (!response.ok()) throw new Error(`login for screenshots failed: ${response.status()}`);
      await page.goto('about:blank');
      for (const shot of pages) {
        await page.goto(`${baseUrl}/ui/#/${shot.hash}`);
        await shot.ready(page);
        const file = path.join(SCREENSHOT_DIRECTORY, `${shot.name}-${colorScheme}-${size}.png`);
        await page.screenshot({ path: file, fullPage: true });
        files.push(file);
      }
      await context.close();
    }
  }
  return files;
}
