/** The demo's entry: the app shell, and the service worker (offline, update prompt). */
import './app.js';
import { keepOfflineCopies } from './offline.js';
import { pwa } from './pwa.js';

pwa.start();
void keepOfflineCopies().catch(() => undefined);
