/**
 * Uuids and representations the O3 front end and the performance suite send. The uuids are the
 * Reference Application's / CIEL's own (the reference target's metadata.sql uses the same), so the
 * steps work unchanged against a real OpenMRS with the reference metadata.
 */
export const REST = '/ws/rest/v1';
export const FHIR = '/ws/fhir2/R4';

/** CIEL uuids are the concept id padded with 'A' to 36 characters. */
export const ciel = (id: number): string => String(id).padEnd(36, 'A');

export const LOCATION = {
  outpatient: '44c3efb0-2583-4c80-a79e-1f756a03c0a1',
  inpatientWard: 'ba685651-ed3b-4e63-9b35-78893060758a',
  registrationDesk: '6351fcf4-e311-4a19-90f9-35667d99a8af',
  pharmacy: '7f65d926-57d6-4402-ae10-a5b3bcbf7986',
  laboratory: '7fdfa2cb-bc95-405a-88c6-32b7673c0453',
} as const;

export const VISIT_TYPE_FACILITY = '7b0f5697-27e3-40c4-8bae-f4049abfb4ed';
export const ENCOUNTER_TYPE = {
  vitals: '67a71486-1a54-468f-ac3e-7091a9a79584',
  visitNote: 'd7151f82-c1f3-4152-a605-2f9ea7414a79',
  consultation: 'dd528487-82a5-4082-9c72-ed246bd49591',
  labResults: '3596fafb-6f6f-4396-8c87-6e63a0f1bd71',
} as const;
export const ENCOUNTER_ROLE_CLINICIAN = '240b26f9-dd88-4172-823d-4a8bfeb7841f';
export const OPENMRS_ID_TYPE = '05a29f94-c0ed-11e2-94be-8c13b969e334';
/** The Reference Application's "Generator for OpenMRS ID" idgen source. */
export const OPENMRS_ID_SOURCE = '8549f706-7e85-4c1d-9424-217d50a2988b';

/** The nurse's nine vitals, in the order clinical.ts's vitalValues returns them. */
export const VITALS_CONCEPTS = [5085, 5086, 5087, 5088, 5092, 5242, 5089, 5090, 1343].map(ciel);
export const BIOMETRICS_CONCEPTS = [5089, 5090, 1343].map(ciel);
export const VITAL_SIGNS_SET = ciel(1114);
export const VISIT_NOTE_TEXT = ciel(162169);
export const CLINICAL_NOTES = ciel(159395);
export const DIAGNOSIS = ciel(1284);
/** Coded diagnoses a visit note picks from (malaria, hypertension, anaemia, cough, fever, diabetes, HIV, back pain). */
export const DIAGNOSES = [116128, 117399, 121629, 143264, 140238, 119481, 138405, 114403].map(ciel);
/** Lab results the lab tech enters: haemoglobin, serum glucose, CD4 count, haematocrit, creatinine. */
export const LAB_CONCEPTS = [21, 887, 5497, 1015, 790];

/** O3 patient search (openmrs-esm-patient-search). */
export const SEARCH_REP =
  'custom:(patientId,uuid,identifiers,display,patientIdentifier:(uuid,identifier),person:(gender,age,birthdate,birthdateEstimated,personName,addresses,display,dead,deathDate),attributes:(value,attributeType:(name)))';
/** O3's defaultVisitCustomRepresentation (the active-visit and visit lists). */
export const ACTIVE_VISIT_REP =
  'custom:(uuid,display,voided,indication,startDatetime,stopDatetime,encounters:(uuid,display,encounterDatetime,form:(uuid,name),location:ref,encounterType:ref,encounterProviders:(uuid,display,provider:(uuid,display))),patient:(uuid,display),visitType:(uuid,name,display),attributes:(uuid,display,attributeType:(name,datatypeClassname,uuid),value),location:(uuid,name,display))';
/** The chart's visits summary (encounters with their obs). */
export const VISITS_REP =
  'custom:(uuid,encounters:(uuid,diagnoses:(uuid,display,rank,diagnosis),form:(uuid,display),encounterDatetime,orders:full,obs:full,encounterType:(uuid,display,viewPrivilege,editPrivilege),encounterProviders:(uuid,display,encounterRole:(uuid,display),provider:(uuid,person:(uuid,display)))),visitType:(uuid,name,display),startDatetime,stopDatetime,patient,attributes:(attributeType:ref,display,uuid,value)';
/** The chart's encounters table. */
export const ENCOUNTERS_REP =
  'custom:(uuid,display,diagnoses:(uuid,display,rank,diagnosis,certainty,voided),encounterDatetime,form:(uuid,display,name,description,encounterType,version,resources:(uuid,display,name,valueReference)),encounterType,visit,patient,obs:(uuid,concept:(uuid,display,conceptClass:(uuid,display)),display,groupMembers:(uuid,concept:(uuid,display),value:(uuid,display),display),value,obsDatetime),encounterProviders:(provider:(person)))';
/** The patient banner. */
export const BANNER_REP =
  'custom:(uuid,display,identifiers:(identifier,uuid,identifierType:(name,uuid)),person:(age,display,gender,uuid,attributes:(value,attributeType:(uuid,display))))';
/** The deceased check of the chart. */
export const PERSON_DEATH_REP = 'custom:(uuid,display,dead,deathDate,causeOfDeath:(uuid,display),causeOfDeathNonCoded)';
/** The vitals form's concept metadata (ranges and units of the set's members). */
export const VITALS_SET_REP = 'custom:(setMembers:(uuid,display,hiNormal,hiAbsolute,hiCritical,lowNormal,lowAbsolute,lowCritical,units))';
/** The registration app's identifier types. */
export const IDENTIFIER_TYPES_REP = 'custom:(display,uuid,name,format,required,uniquenessBehavior)';
