/**
 * The little dense linear algebra the fits need, on small matrices (a few hundred rows, a handful of columns).
 * Matrices are arrays of rows.
 */

/**
 * Least squares min ‖A_P x − b‖ over the columns listed in `columns`, by Householder QR (not the normal
 * equations, which square the condition number — the calibration matrices are often nearly collinear).
 * Returns the coefficients in the order of `columns`; a column that is numerically dependent gets 0.
 */
export function leastSquares(A: readonly (readonly number[])[], b: readonly number[], columns: readonly number[]): number[] {
  const rows = A.length;
  const n = columns.length;
  const M = A.map((row) => columns.map((j) => row[j] ?? 0));
  const y = [...b];
  const diag = new Array<number>(n).fill(0);
  for (let j = 0; j < n && j < rows; j++) {
    let norm = 0;
    for (let i = j; i < rows; i++) norm += M[i]![j]! ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const alpha = M[j]![j]! > 0 ? -norm : norm;
    // v = x − alpha·e1, stored in place below the diagonal.
    M[j]![j]! -= alpha;
    let vv = 0;
    for (let i = j; i < rows; i++) vv += M[i]![j]! ** 2;
    diag[j] = alpha;
    if (vv === 0) continue;
    const reflect = (col: (i: number) => number, set: (i: number, v: number) => void) => {
      let dot = 0;
      for (let i = j; i < rows; i++) dot += M[i]![j]! * col(i);
      const f = (2 * dot) / vv;
      for (let i = j; i < rows; i++) set(i, col(i) - f * M[i]![j]!);
    };
    for (let c = j + 1; c < n; c++) reflect((i) => M[i]![c]!, (i, v) => (M[i]![c] = v));
    reflect((i) => y[i]!, (i, v) => (y[i] = v));
  }
  // Back substitution on R (diagonal in `diag`, above-diagonal in M).
  const x = new Array<number>(n).fill(0);
  const scale = Math.max(...diag.map(Math.abs), 0);
  for (let j = Math.min(n, rows) - 1; j >= 0; j--) {
    if (Math.abs(diag[j]!) <= 1e-12 * scale) continue; // dependent column
    let s = y[j]!;
    for (let c = j + 1; c < n; c++) s -= M[j]![c]! * x[c]!;
    x[j] = s / diag[j]!;
  }
  return x;
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations. */
export function symmetricEigenvalues(S: readonly (readonly number[])[]): number[] {
  const n = S.length;
  const a = S.map((row) => [...row]);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]!);
}

/**
 * 2-norm condition number of A after scaling each column to unit length (so units — requests/s of a rare class
 * vs a frequent one — do not count as ill-conditioning): √(λ_max / λ_min) of the scaled AᵀA.
 */
export function scaledConditionNumber(A: readonly (readonly number[])[]): number {
  const n = A[0]?.length ?? 0;
  const norms = Array.from({ length: n }, (_, j) => Math.sqrt(A.reduce((s, row) => s + (row[j] ?? 0) ** 2, 0)));
  const used = norms.map((v, j) => (v > 0 ? j : -1)).filter((j) => j >= 0);
  if (used.length < n) return Infinity; // an all-zero column cannot be estimated at all
  const gram = used.map((p) => used.map((q) => A.reduce((s, row) => s + ((row[p] ?? 0) * (row[q] ?? 0)) / (norms[p]! * norms[q]!), 0)));
  const eig = symmetricEigenvalues(gram);
  const lo = Math.min(...eig);
  const hi = Math.max(...eig);
  return lo <= 0 ? Infinity : Math.sqrt(hi / lo);
}

/** Solves the square system A x = b by Gaussian elimination with partial pivoting; null if singular. */
export function solveLinear(A: readonly (readonly number[])[], b: readonly number[]): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r]![col]!) > Math.abs(M[pivot]![col]!)) pivot = r;
    if (Math.abs(M[pivot]![col]!) < 1e-300) return null;
    [M[col], M[pivot]] = [M[pivot]!, M[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = M[r]![col]! / M[col]![col]!;
      for (let c = col; c <= n; c++) M[r]![c]! -= f * M[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= M[r]![c]! * x[c]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}
