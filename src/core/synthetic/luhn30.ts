/**
 * OpenMRS idgen's "OpenMRS ID": a base-30 sequence number followed by a Luhn mod-30 check character.
 * The alphabet leaves out B, I, O, Q, S and Z so that ids read aloud or hand-written are not confused.
 */
export const LUHN30_ALPHABET = '0123456789ACDEFGHJKLMNPRTUVWXY';
const N = LUHN30_ALPHABET.length;

function codePoint(ch: string, id: string): number {
  const i = LUHN30_ALPHABET.indexOf(ch);
  if (i < 0) throw new Error(`'${ch}' in '${id}' is not a Luhn mod-30 character`);
  return i;
}

/** The check character idgen's LuhnMod30IdentifierValidator appends to `base`. */
export function luhn30CheckChar(base: string): string {
  if (base.length === 0) throw new Error('cannot compute a check character for an empty identifier');
  let factor = 2;
  let sum = 0;
  for (let i = base.length - 1; i >= 0; i--) {
    let addend = factor * codePoint(base.charAt(i), base);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
  }
  return LUHN30_ALPHABET.charAt((N - (sum % N)) % N);
}

/** True when the last character of `id` is the right check character for the rest. */
export function isValidLuhn30(id: string): boolean {
  if (id.length < 2) return false;
  const base = id.slice(0, -1);
  for (const ch of id) if (!LUHN30_ALPHABET.includes(ch)) return false;
  return luhn30CheckChar(base) === id.slice(-1);
}

/**
 * Encodes a sequence number in `charset`, left-padded with its first character to `minLength - 1`
 * (the check character makes up the last position), as idgen's SequentialIdentifierGenerator does.
 */
export function sequenceToBase(n: number, charset: string = LUHN30_ALPHABET, minLength = 0): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`sequence number must be a non-negative integer, got ${n}`);
  const radix = charset.length;
  let out = '';
  let rest = n;
  do {
    out = charset.charAt(rest % radix) + out;
    rest = Math.floor(rest / radix);
  } while (rest > 0);
  return out.padStart(Math.max(0, minLength - 1), charset.charAt(0));
}

/** The sequence number a base string stands for (inverse of sequenceToBase, padding ignored). */
export function baseToSequence(base: string, charset: string = LUHN30_ALPHABET): number {
  let n = 0;
  for (const ch of base) {
    const d = charset.indexOf(ch);
    if (d < 0) throw new Error(`'${ch}' in '${base}' is not in the identifier character set`);
    n = n * charset.length + d;
  }
  return n;
}

/** The full OpenMRS ID for sequence number `n`. */
export function openmrsId(n: number, minLength = 6): string {
  const base = sequenceToBase(n, LUHN30_ALPHABET, minLength);
  return base + luhn30CheckChar(base);
}
