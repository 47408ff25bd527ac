import type { Route } from '../context.ts';
import { routes as concept } from './concept.ts';
import { routes as encounter } from './encounter.ts';
import { routes as fhir } from './fhir.ts';
import { routes as idgen } from './idgen.ts';
import { routes as location } from './location.ts';
import { routes as obs } from './obs.ts';
import { routes as patient } from './patient.ts';
import { routes as session } from './session.ts';
import { routes as systemsetting } from './systemsetting.ts';
import { routes as visit } from './visit.ts';

export const restRoutes: Route[] = [...session, ...patient, ...idgen, ...visit, ...encounter, ...obs, ...concept, ...location, ...systemsetting];
export const fhirRoutes: Route[] = fhir;
