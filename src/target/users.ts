import { createHash, timingSafeEqual } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';

export interface User {
  id: number;
  uuid: string;
  username: string;
  systemId: string;
  personId: number;
  personUuid: string;
  display: string;
  roles: { name: string; uuid: string }[];
  privileges: { name: string; uuid: string }[];
  superuser: boolean;
  providerUuid: string | null;
}

/** OpenMRS stores SHA-512(password + salt) as lower-case hex. */
export function hashPassword(password: string, salt: string): string {
  return createHash('sha512').update(password + salt).digest('hex');
}

/** Users and their privileges, kept per process like OpenMRS's user context. */
export class UserDirectory {
  private readonly byId = new Map<number, User>();
  constructor(private readonly pool: Pool) {}

  /** The user when username (or system id) and password match, otherwise undefined. */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT user_id, password, salt FROM users WHERE (username = ? OR system_id = ?) AND retired = 0 LIMIT 1',
      [username, username],
    );
    const r = rows[0];
    if (!r || !r.password || !r.salt) return undefined;
    const expected = Buffer.from(String(r.password).toLowerCase());
    const actual = Buffer.from(hashPassword(password, r.salt));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return this.get(r.user_id);
  }

  async get(userId: number): Promise<User | undefined> {
    const cached = this.byId.get(userId);
    if (cached) return cached;
    const [[u]] = await this.pool.query<RowDataPacket[]>(
      `SELECT u.user_id, u.uuid, u.username, u.system_id, u.person_id, p.uuid AS person_uuid,
              CONCAT_WS(' ', n.given_name, n.middle_name, n.family_name) AS display
         FROM users u JOIN person p ON p.person_id = u.person_id
         LEFT JOIN person_name n ON n.person_id = p.person_id AND n.preferred = 1 AND n.voided = 0
        WHERE u.user_id = ?`,
      [userId],
    );
    if (!u) return undefined;
    const [roles] = await this.pool.query<RowDataPacket[]>(
      'SELECT r.role, r.uuid FROM user_role ur JOIN role r ON r.role = ur.role WHERE ur.user_id = ?',
      [userId],
    );
    const [privs] = await this.pool.query<RowDataPacket[]>(
      `SELECT DISTINCT p.privilege, p.uuid FROM user_role ur JOIN role_privilege rp ON rp.role = ur.role
         JOIN privilege p ON p.privilege = rp.privilege WHERE ur.user_id = ? ORDER BY p.privilege`,
      [userId],
    );
    const [[prov]] = await this.pool.query<RowDataPacket[]>(
      'SELECT uuid FROM provider WHERE person_id = ? AND retired = 0 ORDER BY provider_id LIMIT 1',
      [u.person_id],
    );
    const user: User = {
      id: u.user_id,
      uuid: u.uuid,
      username: u.username,
      systemId: u.system_id,
      personId: u.person_id,
      personUuid: u.person_uuid,
      display: u.username ?? u.display,
      roles: roles.map((r) => ({ name: r.role, uuid: r.uuid })),
      privileges: privs.map((p) => ({ name: p.privilege, uuid: p.uuid })),
      superuser: roles.some((r) => r.role === 'System Developer'),
      providerUuid: prov?.uuid ?? null,
    };
    this.byId.set(userId, user);
    return user;
  }
}

export function hasPrivilege(user: User, privilege: string): boolean {
  return user.superuser || user.privileges.some((p) => p.name === privilege);
}
