namespace OrleansSocial.Graph;

/// <summary>What a Graph error means for a publication that was refused (the write did not happen).</summary>
public enum PublishingRefusal
{
    /// <summary>The channel's token is no longer valid: re-authorise, then retry.</summary>
    TokenInvalid,

    /// <summary>The app or the token lacks a permission the write needs.</summary>
    PermissionMissing,

    /// <summary>An Instagram container is still being processed (9007): ask again later.</summary>
    MediaNotReady,

    /// <summary>Facebook refused the post as a duplicate of the Page's last one (506).</summary>
    Duplicate,

    /// <summary>The media could not be fetched or used (36000, -1, -2, 2207004, 2207020).</summary>
    InvalidMedia,

    /// <summary>The account used up its daily content-publishing allowance (9 / 2207042): a later day succeeds.</summary>
    PublishingLimit,

    /// <summary>Any other refusal.</summary>
    Rejected,
}

/// <summary>Facebook and Instagram publishing error codes, read in one place (the Graph contract's sections on publishing).</summary>
public static class PublishingErrors
{
    public static PublishingRefusal Refusal(this GraphException exception) => exception switch
    {
        { Code: 9, Subcode: 2207042 } => PublishingRefusal.PublishingLimit,
        { Kind: GraphErrorKind.TokenInvalid } => PublishingRefusal.TokenInvalid,
        { Kind: GraphErrorKind.PermissionMissing } => PublishingRefusal.PermissionMissing,
        { Code: 9007 } => PublishingRefusal.MediaNotReady,
        { Code: 506 } => PublishingRefusal.Duplicate,
        { Code: 36000 or -2 or -1 } or { Subcode: 2207004 or 2207020 } => PublishingRefusal.InvalidMedia,
        _ => PublishingRefusal.Rejected,
    };
}
