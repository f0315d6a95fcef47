/**
 * Batch page. The batch engine (CSV jobs in workers, stored on the device, resumable) is issue 7;
 * this page says plainly that it is not in this build yet and what it will do. It offers no
 * controls until the engine exists: nothing here pretends to work.
 */
import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { LightElement } from '../light-element.js';
import { href } from '../router.js';

@customElement('mlp-batch-page')
export class MlpBatchPage extends LightElement {
  override render() {
    return html`
      <h1 tabindex="-1">Batch predictions</h1>
      <section class="panel notice" aria-labelledby="batch-status" data-testid="batch-not-available">
        <h2 id="batch-status">Not available in this version</h2>
        <p>
          Batch predictions on CSV files are being built and are not part of this version of the demo. Nothing on this page
          runs yet. For a single case, use the <a href=${href('predict')}>Predict</a> page.
        </p>
      </section>
      <section class="panel" aria-labelledby="batch-plan">
        <h2 id="batch-plan">What this page will do</h2>
        <ul class="plain-list">
          <li>Take a CSV file (drag and drop, or pick one; a sample file per model) and match its columns to the model's features by header name.</li>
          <li>Predict every row in background workers on this device: the file is never uploaded.</li>
          <li>Keep jobs and results on the device, so a job survives a reload and resumes where it stopped.</li>
          <li>Record bad rows with their row number and reason, and still predict the others.</li>
          <li>Show progress with pause, resume and cancel; offer the results as a CSV download with a summary chart.</li>
          <li>Tell you when a long job is done, with a notification if you allow it.</li>
        </ul>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mlp-batch-page': MlpBatchPage;
  }
}
