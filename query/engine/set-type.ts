/** Id spaces: each gets its own dense uint32 numbering. */
export type IdSpace = 'media' | 'user' | 'location';

/** Query results are sets of media or sets of users. */
export type SetType = 'media' | 'user';
