import { z } from 'zod';
import { boundedText } from './bounded-text';
import { envelopeShape } from './envelope';
import { EVENT_FIELD_LIMITS } from './event-field-limits';
import { externalIdSchema } from './external-id-schema';

const locationSchema = z
  .strictObject({
    id: externalIdSchema,
    name: boundedText({ min: 1, max: EVENT_FIELD_LIMITS.locationNameMaxChars }),
    lat: z.number().min(-90, 'must be between -90 and 90').max(90, 'must be between -90 and 90').optional(),
    lon: z
      .number()
      .min(-180, 'must be between -180 and 180')
      .max(180, 'must be between -180 and 180')
      .optional(),
  })
  .superRefine((location, ctx) => {
    const hasLat = location.lat !== undefined;
    if (hasLat !== (location.lon !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [hasLat ? 'lon' : 'lat'],
        message: `is required when ${hasLat ? 'lat' : 'lon'} is given (lat and lon come together)`,
      });
    }
  })
  // A half coordinate is useless for geo queries; JSON Schema can say so too.
  .meta({ dependentRequired: { lat: ['lon'], lon: ['lat'] } });

export const locationUpsertedEventSchema = z
  .strictObject({
    ...envelopeShape('location.upserted'),
    location: locationSchema,
  })
  .meta({ title: 'location.upserted', description: 'A place was created or renamed or moved.' });

export type LocationUpsertedEvent = z.infer<typeof locationUpsertedEventSchema>;
