/**
 * OpenMRS REST error responses. Bodies follow webservices.rest:
 * {"error":{"message","code","detail"}} and, for validation, globalErrors/fieldErrors.
 */
export interface FieldError {
  code: string;
  message: string;
}

export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): unknown {
    return { error: { message: this.message, code: this.code, detail: '', ...this.extra } };
  }
}

export const notFound = (what = 'Object with given uuid doesn\'t exist') =>
  new RestError(404, what, 'org.openmrs.module.webservices.rest.web.response.ObjectNotFoundException');

export const badRequest = (message: string) =>
  new RestError(400, message, 'org.openmrs.module.webservices.rest.web.response.IllegalRequestException');

export const conversionError = (message: string) =>
  new RestError(400, message, 'org.openmrs.module.webservices.rest.web.response.ConversionException');

export const unauthorized = () =>
  new RestError(401, 'User is not logged in', 'org.openmrs.api.APIAuthenticationException');

export const forbidden = (privilege: string) =>
  new RestError(403, `Privileges required: ${privilege}`, 'org.openmrs.api.APIAuthenticationException');

export const methodNotAllowed = (method: string) =>
  new RestError(405, `Request method '${method}' not supported`, 'org.springframework.web.HttpRequestMethodNotSupportedException');

/** A 400 "Invalid Submission" with OpenMRS's validation error shape. */
export function invalidSubmission(
  fieldErrors: Record<string, FieldError[]> = {},
  globalErrors: FieldError[] = [],
): RestError {
  return new RestError(400, 'Invalid Submission', 'webservices.rest.error.invalid.submission', { globalErrors, fieldErrors });
}

/** Collects validation failures, then throws them together as OpenMRS does. */
export class Validation {
  private fields: Record<string, FieldError[]> = {};
  private global: FieldError[] = [];

  field(name: string, code: string, message: string): this {
    (this.fields[name] ??= []).push({ code, message });
    return this;
  }

  globalError(code: string, message: string): this {
    this.global.push({ code, message });
    return this;
  }

  required(name: string, value: unknown): this {
    if (value === undefined || value === null || value === '') this.field(name, 'error.null', 'Cannot be empty or null');
    return this;
  }

  throwIfAny(): void {
    if (this.global.length || Object.keys(this.fields).length) throw invalidSubmission(this.fields, this.global);
  }
}
