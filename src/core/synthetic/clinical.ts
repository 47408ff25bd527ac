import type { Rng } from './rng.ts';

/** CIEL ids present in fixtures/openmrs/metadata.sql. */
export const CONCEPT = { visitNote: 162169, diagnosis: 1284 } as const;
export const VITALS: readonly number[] = [5085, 5086, 5087, 5088, 5092, 5242, 5089, 5090, 1343];
export const DIAGNOSES: readonly number[] = [116128, 123107, 149069, 114403, 117399, 121629, 143264, 140238, 119481, 138405];
/** Conditions a clinic keeps on a patient's problem list long-term (hypertension, anaemia, diabetes, HIV). */
export const CHRONIC: readonly number[] = [117399, 121629, 119481, 138405];

interface LabSpec {
  concept: number;
  lo: number;
  hi: number;
  decimals: number;
}

// Ranges stay inside concept_numeric's absolute limits and straddle the normal range, so some
// results are flagged abnormal, as in a real clinic's lab feed.
const lab = (concept: number, lo: number, hi: number, decimals = 0): LabSpec => ({ concept, lo, hi, decimals });
export const LABS: readonly LabSpec[] = [
  lab(856, 0, 0), lab(5497, 50, 1400), lab(21, 7, 17, 1), lab(1015, 25, 52, 1), lab(678, 2.5, 14, 1),
  lab(679, 3, 6.2, 2), lab(729, 90, 450), lab(851, 70, 105, 1), lab(1017, 30, 37, 1), lab(1018, 24, 35, 1),
  lab(887, 65, 250), lab(790, 0.4, 2.5, 2), lab(857, 5, 40), lab(653, 8, 120), lab(654, 5, 130),
  lab(1006, 110, 290), lab(1007, 25, 85), lab(1008, 50, 200), lab(1009, 40, 350), lab(1132, 128, 150, 1),
  lab(1133, 3, 5.9, 1), lab(1134, 94, 110), lab(159644, 4.5, 11, 1), lab(785, 30, 250), lab(655, 0.1, 3, 1),
  lab(717, 2.5, 5.2, 1), lab(163699, 20, 130),
];

const round = (x: number, decimals: number): number => {
  const f = decimals === 0 ? 1 : decimals === 1 ? 10 : 100;
  return Math.round(x * f) / f;
};

export function labValue(spec: LabSpec, rng: Rng): number {
  // Viral loads are mostly suppressed; the rest spread over orders of magnitude.
  if (spec.concept === 856) return rng.chance(0.6) ? 0 : Math.round(Math.exp(rng.range(Math.log(40), Math.log(500_000))));
  return round(rng.range(spec.lo, spec.hi), spec.decimals);
}

/** Values for VITALS, in order, for a person of `ageYears`. */
export function vitalValues(ageYears: number, rng: Rng): number[] {
  const child = ageYears < 13;
  const sbp = child ? rng.int(85, 115) : rng.chance(0.25) ? rng.int(140, 185) : rng.int(98, 139);
  const dbp = Math.max(40, Math.min(120, Math.round(sbp * 0.63 + rng.range(-8, 8))));
  const pulse = child ? rng.int(80, 140) : rng.int(55, 110);
  const temp = round(rng.chance(0.15) ? rng.range(37.5, 39.8) : rng.range(36, 37.4), 1);
  const spo2 = rng.chance(0.05) ? rng.int(85, 93) : rng.int(94, 100);
  const rr = child ? rng.int(20, 40) : rng.int(12, 24);
  const jitter = rng.range(0.85, 1.15);
  let weight: number;
  let height: number;
  let muac: number;
  if (ageYears < 1) {
    weight = 3.5 + ageYears * 6;
    height = 50 + ageYears * 25;
    muac = rng.range(11.5, 15);
  } else if (ageYears < 12) {
    weight = 8 + ageYears * 2.6;
    height = 75 + ageYears * 6;
    muac = rng.range(13, 20);
  } else if (ageYears < 18) {
    weight = 35 + (ageYears - 12) * 4;
    height = 145 + (ageYears - 12) * 4;
    muac = rng.range(18, 25);
  } else {
    weight = rng.range(48, 88);
    height = rng.range(150, 185);
    muac = rng.range(22, 34);
  }
  return [sbp, dbp, pulse, temp, spo2, rr, round(weight * jitter, 1), round(height, 1), round(muac, 1)];
}

const COMPLAINTS = [
  'fever and headache', 'productive cough', 'abdominal pain', 'lower back pain', 'fatigue and dizziness',
  'painful urination', 'skin rash', 'chest pain on exertion', 'joint pain', 'diarrhoea', 'poor appetite',
  'shortness of breath', 'follow-up of chronic illness', 'routine ART refill', 'antenatal review',
];
const FINDINGS = [
  'Alert, afebrile, chest clear', 'Mild pallor, no jaundice', 'Tender epigastrium, no guarding',
  'Crackles right lower zone', 'BP elevated on repeat reading', 'Well hydrated, abdomen soft',
  'Oedema of both ankles', 'Lymph nodes not palpable', 'Pharynx injected', 'Normal examination',
];
const PLANS = [
  'continue current medication', 'labs ordered, review with results', 'start antimalarials',
  'adherence counselling given', 'refer to clinician for review', 'analgesics and review in two weeks',
  'diet and exercise advice', 'adjust antihypertensive dose', 'return if symptoms worsen',
];

export function visitNote(rng: Rng): string {
  return `Presents with ${rng.pick(COMPLAINTS)} for ${rng.int(1, 14)} days. ${rng.pick(FINDINGS)}. Plan: ${rng.pick(PLANS)}.`;
}
