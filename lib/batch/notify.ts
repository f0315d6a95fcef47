/**
 * Telling the user a batch job ended. In the app: events on the job and on `batchJobEvents()`.
 * On the system: a Notification, only when the user granted the permission and the page is
 * hidden (a visible page shows its own notice), through the service worker's registration when
 * there is one (the only way on Android, and the notification then opens the app), else
 * `new Notification`.
 */
import type { BatchJobRecord } from './types.js';

export interface NotifyEnv {
  permission: NotificationPermission | 'unsupported';
  hidden: boolean;
  registration: () => Promise<Pick<ServiceWorkerRegistration, 'showNotification'> | undefined>;
  show: (title: string, options: NotificationOptions) => void;
}

function browserEnv(): NotifyEnv {
  const N = (globalThis as { Notification?: typeof Notification }).Notification;
  return {
    permission: N ? N.permission : 'unsupported',
    hidden: globalThis.document?.visibilityState === 'hidden',
    registration: async () => (await globalThis.navigator?.serviceWorker?.getRegistration().catch(() => undefined)) ?? undefined,
    show: (title, options) => void new N!(title, options),
  };
}

/** The notification's title and body for an ended job. */
export function notificationFor(record: BatchJobRecord): { title: string; options: NotificationOptions } {
  const file = record.file.name;
  const errors = record.errorCount ? `, ${record.errorCount.toLocaleString('en')} row error${record.errorCount === 1 ? '' : 's'}` : '';
  const body =
    record.status === 'done'
      ? `${record.predicted.toLocaleString('en')} rows of ${file} predicted with ${record.model.name}${errors}.`
      : `${file}: ${record.error?.message ?? record.status}`;
  return {
    title: record.status === 'done' ? 'Batch predictions ready' : 'Batch job failed',
    options: { body, tag: `ml-predict-job-${record.id}`, data: { jobId: record.id } },
  };
}

/** Shows a system notification for an ended job when allowed and useful; says how (or why not). */
export async function notifyJobEnded(
  record: BatchJobRecord,
  env: NotifyEnv = browserEnv(),
): Promise<'service-worker' | 'notification' | 'not-granted' | 'visible' | 'off'> {
  if (!record.notify) return 'off';
  if (env.permission !== 'granted') return 'not-granted';
  if (!env.hidden) return 'visible';
  const { title, options } = notificationFor(record);
  const registration = await env.registration();
  if (registration) {
    await registration.showNotification(title, options);
    return 'service-worker';
  }
  env.show(title, options);
  return 'notification';
}
