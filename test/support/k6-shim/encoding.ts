/** The shim's `k6/encoding` (std base64 of UTF-8 text). */
export const b64encode = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
export const b64decode = (s: string, _encoding?: string, format?: string): string | ArrayBuffer => {
  const buf = Buffer.from(s, 'base64');
  return format === 's' ? buf.toString('utf8') : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
};

export default { b64encode, b64decode };
