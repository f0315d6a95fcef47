/**
 * The styles of `<ml-predict>`'s shadow root. Every colour, the radius and the padding come
 * from the `--ml-predict-*` custom properties documented on the element.
 */
import { css } from 'lit';

export const styles = css`
  :host {
    --_accent: var(--ml-predict-accent, #1d4ed8);
    --_on-accent: var(--ml-predict-on-accent, #ffffff);
    --_color: var(--ml-predict-color, #1f2937);
    --_muted: var(--ml-predict-muted, #4b5563);
    --_bg: var(--ml-predict-background, #ffffff);
    --_border: var(--ml-predict-border-color, #d1d5db);
    --_error: var(--ml-predict-error, #b91c1c);
    --_radius: var(--ml-predict-radius, 12px);
    display: block;
    box-sizing: border-box;
    color: var(--_color);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--ml-predict-padding, 1rem 1.25rem);
    font-family: inherit;
    line-height: 1.45;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }
  .stack > * + * {
    margin-block-start: 1rem;
  }
  .title {
    margin: 0;
    font-weight: 600;
    font-size: 1.05em;
  }
  .title .version {
    font-weight: 400;
    color: var(--_muted);
    font-size: 0.85em;
    margin-inline-start: 0.35em;
  }
  .description {
    margin: 0.2rem 0 0;
    color: var(--_muted);
    font-size: 0.9em;
  }
  .progress .phase {
    margin: 0 0 0.4rem;
    font-size: 0.9em;
    color: var(--_muted);
  }
  .track {
    display: block;
    block-size: 0.5rem;
    border-radius: 999px;
    background: var(--_border);
    overflow: hidden;
  }
  .fill {
    display: block;
    block-size: 100%;
    inline-size: 0;
    border-radius: inherit;
    background: var(--_accent);
    transition: inline-size 0.2s ease-out;
  }
  .indeterminate .fill {
    inline-size: 35%;
    animation: slide 1.2s ease-in-out infinite;
  }
  @keyframes slide {
    from {
      transform: translateX(-100%);
    }
    to {
      transform: translateX(300%);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .fill {
      transition: none;
    }
    .indeterminate .fill {
      animation: none;
      inline-size: 100%;
      opacity: 0.4;
    }
  }
  .fields {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 13rem), 1fr));
    gap: 0.85rem 1rem;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
    min-inline-size: 0;
  }
  .field.wide {
    grid-column: 1 / -1;
  }
  label {
    font-weight: 600;
    font-size: 0.9em;
  }
  .unit,
  .hint {
    font-weight: 400;
    color: var(--_muted);
  }
  .hint {
    font-size: 0.8em;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) / 2);
    padding: 0.45rem 0.6rem;
    inline-size: 100%;
  }
  textarea {
    resize: vertical;
    min-block-size: 6rem;
  }
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  button:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  input:user-invalid {
    border-color: var(--_error);
  }
  .actions {
    display: flex;
    align-items: center;
    gap: 0.75rem;
    margin-block-start: 1rem;
  }
  button {
    font: inherit;
    font-weight: 600;
    color: var(--_on-accent);
    background: var(--_accent);
    border: 1px solid var(--_accent);
    border-radius: calc(var(--_radius) / 2);
    padding: 0.5rem 1.1rem;
    cursor: pointer;
  }
  button.secondary {
    color: var(--_accent);
    background: transparent;
  }
  button:hover {
    filter: brightness(1.1);
  }
  .busy {
    font-size: 0.9em;
    color: var(--_muted);
  }
  .result {
    border-block-start: 1px solid var(--_border);
    padding-block-start: 1rem;
  }
  .stack > slot {
    display: block;
  }
  .caption {
    display: block;
    font-size: 0.8em;
    text-transform: uppercase;
    letter-spacing: 0.06em;
    color: var(--_muted);
  }
  .headline {
    margin: 0 0 0.75rem;
  }
  .headline strong {
    font-size: 1.6em;
    font-weight: 700;
  }
  .headline .unit,
  .headline .confidence {
    margin-inline-start: 0.15em;
    color: var(--_muted);
  }
  .probabilities {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    grid-template-columns: minmax(4rem, max-content) 1fr 4.5em;
    gap: 0.4rem 0.75rem;
    align-items: center;
  }
  .probabilities li {
    display: contents;
  }
  .probabilities .name {
    overflow-wrap: anywhere;
  }
  .probabilities .pct {
    text-align: end;
    font-variant-numeric: tabular-nums;
  }
  .probabilities .top .name,
  .probabilities .top .pct {
    font-weight: 700;
  }
  .probabilities li:not(.top) .fill {
    opacity: 0.55;
  }
  .outputs {
    margin: 0.25rem 0 0;
  }
  .outputs dt {
    font-weight: 600;
  }
  .outputs dt .hint {
    margin-inline-start: 0.25em;
  }
  .outputs dt:not(:first-child) {
    margin-block-start: 0.5rem;
  }
  .outputs dd {
    margin: 0;
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.85em;
    overflow-wrap: anywhere;
  }
  .error {
    border: 1px solid var(--_error);
    border-radius: calc(var(--_radius) / 2);
    padding: 0.75rem 0.9rem;
  }
  .error .heading {
    margin: 0;
    font-weight: 700;
    color: var(--_error);
  }
  .error .message {
    margin: 0.25rem 0 0;
    overflow-wrap: anywhere;
  }
  .error .code {
    margin: 0.25rem 0 0;
    font-size: 0.8em;
    color: var(--_muted);
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  }
  .error button {
    margin-block-start: 0.75rem;
  }
`;
