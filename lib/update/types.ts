/** The public types of managed models (lib/update/managed.ts): options, results and states. */
import type { AgreementReport, PromotionDecision } from '../evaluate/agreement.js';
import type { Interpretation } from '../model/interpret.js';
import type { LoadOptions, MonitorOptions, Outputs } from '../types.js';

export type UpdatePolicy = 'prompt' | 'auto' | 'shadow';
/** Every update policy, in the order the docs list them. */
export const UPDATE_POLICIES: readonly UpdatePolicy[] = ['prompt', 'auto', 'shadow'];

export interface ManagedModelOptions extends Omit<LoadOptions, 'card' | 'integrity' | 'name' | 'version' | 'signal' | 'onProgress'> {
  /** What happens when the followed alias moves: 'prompt' (default) fires `updateavailable`, 'auto' swaps once verified and warm, 'shadow' evaluates the candidate on live inputs first. */
  policy?: UpdatePolicy;
  /** The alias to follow; default "stable". */
  channel?: string;
  /** The alias whose version is evaluated in shadow (policy 'shadow'); default "candidate". */
  candidateAlias?: string;
  shadow?: ShadowOptions;
  /** Monitor live inputs for drift against each active version's card (see Model.monitor). */
  monitor?: boolean | MonitorOptions;
  onProgress?: LoadOptions['onProgress'];
}

export interface ShadowOptions {
  /** Share of live predictions also run on the candidate, 0–1; default 1. */
  sampleRate?: number;
  /** Agreement needed to promote; default 0.95. */
  threshold?: number;
  /** Inputs compared before deciding; default 200. */
  minInputs?: number;
}

export interface ManagedPrediction {
  /** The version that answered. */
  version: string;
  outputs: Outputs;
  /** The outputs read with the version's card (label and probabilities, or the value). */
  result?: Interpretation;
}

export type UpdateStatus = 'offline' | 'unchanged' | 'up-to-date' | 'ready' | 'applied' | 'shadowing' | 'known-bad' | 'failed';

export interface UpdateCheck {
  status: UpdateStatus;
  /** The version the followed alias points to (or the candidate, in shadow). */
  version?: string;
  code?: string;
  reason?: string;
}

export interface VersionsState {
  name: string;
  active: string;
  lastGood?: string;
  candidate?: string;
  bad: Record<string, { code: string; reason: string }>;
  versions: string[];
}

/** Agreement of the shadowed candidate (b) with the active version (a), and what it means. */
export interface ShadowReport extends AgreementReport {
  candidate: string;
  decision: PromotionDecision['decision'];
  reason: string;
}
