namespace OrleansSocial.Graph;

/// <summary>Which Graph host a token belongs to: each host takes only its own tokens.</summary>
public enum GraphHost
{
    /// <summary><c>graph.facebook.com</c>: Facebook Login (user and Page tokens), Pages and their linked Instagram accounts.</summary>
    Facebook,

    /// <summary><c>graph.instagram.com</c>: Instagram API with Instagram Login (Instagram user tokens, no Page).</summary>
    Instagram,
}
