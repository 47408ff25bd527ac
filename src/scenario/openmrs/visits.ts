import { step } from '../dsl.ts';
import type { Step } from '../types.ts';
import { REST, VISIT_TYPE_FACILITY } from './constants.ts';
import { createdUuid, needVar, noteServerTime, okJson, optVar, restDate, sessionLocation, str } from './util.ts';

export interface StartVisitOptions {
  name?: string;
  /** Use the open visit openChart found instead of starting another (the nurse admitting to a running visit). */
  reuseActive?: boolean;
  visitType?: string;
}

/**
 * POST /visit {patient, visitType: Facility Visit, location, startDatetime: null} as the suite sends it
 * (the server stamps the start). Saves `visitUuid`; `visitStartedHere` tells endVisit it may close it.
 */
export function startVisit(opts: StartVisitOptions = {}): Step {
  const name = opts.name ?? 'startVisit';
  return step(name, async (vu) => {
    const patient = needVar(vu, name, 'patientUuid', 'searchPatient or registerPatient');
    const active = optVar(vu, 'activeVisitUuid');
    if (opts.reuseActive && active) {
      vu.vars.set('visitUuid', active);
      vu.vars.set('visitStartedHere', false);
      return;
    }
    const res = await vu.http.post(
      `${REST}/visit`,
      { patient, visitType: opts.visitType ?? VISIT_TYPE_FACILITY, location: sessionLocation(vu), startDatetime: null },
      { expect: [201] },
    );
    const uuid = createdUuid(res, name, 'the visit');
    noteServerTime(vu, str(okJson(res), 'startDatetime'));
    vu.vars.set('visitUuid', uuid);
    vu.vars.set('visitStartedHere', true);
  });
}

/**
 * POST /visit/{uuid} {stopDatetime}. The stop time is this machine's clock, but never before a time
 * the server stamped on this VU's writes, so a skewed clock cannot put it before the visit's start
 * or its encounters. Only a visit this journey started is closed (not one another persona opened).
 */
export function endVisit(opts: { name?: string } = {}): Step {
  const name = opts.name ?? 'endVisit';
  return step(name, async (vu) => {
    const visit = needVar(vu, name, 'visitUuid', 'startVisit');
    if (vu.vars.get('visitStartedHere') === false) return;
    const seen = vu.vars.get('serverTime');
    const stop = Math.max(Date.now(), typeof seen === 'number' ? seen + 1000 : 0);
    const res = await vu.http.post(`${REST}/visit/${visit}`, { stopDatetime: restDate(stop) }, { expect: [200] });
    vu.check('endVisit: visit closed', str(okJson(res), 'stopDatetime') !== undefined);
    vu.vars.delete('visitUuid');
    vu.vars.delete('activeVisitUuid');
  });
}
