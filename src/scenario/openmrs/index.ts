/**
 * The OpenMRS step library: what the O3 front end and the performance suite's personas send, as
 * Steps for scenario files. Steps correlate through `vu.vars` (userUuid, providerUuid, locationUuid,
 * patientUuid, patientAge, activeVisitUuid, visitUuid, encounterUuid) and read patients from the
 * 'patients' feeder.
 */
export { login, selectLocation } from './session.ts';
export { homePage } from './metadata.ts';
export { searchPatient, type SearchBy, type SearchOptions } from './search.ts';
export { openChart } from './chart.ts';
export { newPatient, registerPatient } from './registration.ts';
export { endVisit, startVisit, type StartVisitOptions } from './visits.ts';
export { dispense, labResults, recordVitals, writeVisitNote } from './encounters.ts';
export { LOCATION, ENCOUNTER_TYPE, VISIT_TYPE_FACILITY, ciel } from './constants.ts';
