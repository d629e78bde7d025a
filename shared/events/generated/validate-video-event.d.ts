import type { ErrorObject } from 'ajv';
interface ValidateFunction {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}
declare const validate: ValidateFunction;
export default validate;
