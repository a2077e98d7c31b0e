import { z } from "zod";
import { roleSchema } from "./roles";
import { passwordSchema, tokenNameSchema, usernameSchema } from "./people-store";

export const addUserSchema = z.strictObject({
  username: usernameSchema,
  role: roleSchema,
  password: passwordSchema.optional(),
  displayName: z.string().trim().max(200).optional(),
  email: z.email().optional(),
});

export const updateUserSchema = z
  .strictObject({ role: roleSchema.optional(), password: passwordSchema.nullable().optional() })
  .refine((body) => body.role !== undefined || body.password !== undefined, { message: "give a role or a password" });

export const createTokenSchema = z.strictObject({
  name: tokenNameSchema,
  role: roleSchema,
  /** Days until it expires; unset: never. */
  expiresInDays: z.number().positive().max(3650).optional(),
});
