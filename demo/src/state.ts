/**
 * App-wide state shared by the pages: the registry (opened once), the model chosen by name
 * (kept across pages and visits), and whether the browser is online.
 */
import { openRegistry, type Registry } from 'ml-predict/registry';

export const REGISTRY_URL = new URL(`${import.meta.env.BASE_URL}models/registry.json`, location.href).href;
const SELECTED_KEY = 'ml-predict-demo:model';

class AppState extends EventTarget {
  online = navigator.onLine;
  private registryPromise: Promise<Registry> | undefined;
  private selected: string | undefined = readSelected();

  constructor() {
    super();
    window.addEventListener('online', () => this.setOnline(true));
    window.addEventListener('offline', () => this.setOnline(false));
  }

  /** The registry; a failed open is retried on the next call (never remembered). */
  registry(): Promise<Registry> {
    if (!this.registryPromise) {
      const p = openRegistry(REGISTRY_URL);
      this.registryPromise = p;
      p.catch(() => {
        if (this.registryPromise === p) this.registryPromise = undefined;
      });
    }
    return this.registryPromise;
  }

  /** The chosen model's name: the last one chosen if the registry still has it, else its default. */
  selectedModel(registry: Registry): string {
    return this.selected !== undefined && registry.names.includes(this.selected) ? this.selected : registry.defaultName;
  }

  selectModel(name: string): void {
    if (name === this.selected) return;
    this.selected = name;
    try {
      localStorage.setItem(SELECTED_KEY, name);
    } catch {
      // storage may be unavailable (private mode): the choice lasts for this visit
    }
    this.dispatchEvent(new Event('change'));
  }

  private setOnline(online: boolean): void {
    this.online = online;
    this.dispatchEvent(new Event('change'));
  }
}

function readSelected(): string | undefined {
  try {
    return localStorage.getItem(SELECTED_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export const app = new AppState();
