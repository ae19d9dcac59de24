using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.AwsKms.Auth;
using OpenKcm.Sandbox.AwsKms.Core;
using OpenKcm.Sandbox.AwsKms.Kms;
using OpenKcm.Sandbox.AwsKms.Sts;
using OpenKcm.Sandbox.Faults;

namespace OpenKcm.Sandbox.AwsKms.Http;

/// <summary>
/// The one listener's entry point for KMS and STS. A request with <c>X-Amz-Target</c> is KMS (JSON 1.1), any other
/// is STS (query protocol); the SigV4 scope's service must agree. Order: faults (latency, injected 500s) → read the
/// body → sealed (KMS only) → authenticate → throttle (KMS only) → operation. Logs method, service, operation and
/// status only: never bodies, keys, tokens or signatures.
/// </summary>
internal sealed class AwsHttpHandler(AwsAccount account, TimeProvider signatureClock, EmulatorFaults faults, TokenBucket throttle, ILogger logger)
{
    private const string KmsContentType = "application/x-amz-json-1.1";
    private const string TargetPrefix = "TrentService.";
    private const int MaxBodyBytes = 1024 * 1024;

    private readonly RequestAuthenticator _authenticator = new(account, signatureClock);
    private readonly KmsOperations _kms = new(account);
    private readonly StsOperations _sts = new(account);
    private int _inFlight;

    /// <summary>Requests being handled right now (including those waiting on injected latency).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            await HandleCoreAsync(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task HandleCoreAsync(HttpContext context)
    {
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = cancellation.Token;
        var started = Stopwatch.GetTimestamp();
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var service = target.Length > 0 ? AwsService.Kms : AwsService.Sts;
        var requestId = AwsIds.RequestId();
        var operation = service == AwsService.Kms ? target : "";
        try
        {
            if (!await FaultInjection.ApplyAsync(faults, context,
                    c => WriteErrorAsync(c, service, requestId, InternalError(service), cancellationToken), cancellationToken).ConfigureAwait(false))
            {
                var request = await ReadAsync(context, cancellationToken).ConfigureAwait(false);
                if (service == AwsService.Kms)
                {
                    operation = target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? target[TargetPrefix.Length..] : target;
                    var response = HandleKms(target, request);
                    await WriteAsync(context, 200, KmsContentType, requestId, response.ToJsonString(), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var parameters = StsParameters(context, request);
                    operation = parameters.GetValueOrDefault("Action") ?? "";
                    var principal = _authenticator.Authenticate(AwsService.Sts, request);
                    var response = _sts.Handle(parameters, principal, requestId);
                    await WriteAsync(context, 200, "text/xml", requestId, response.ToString(SaveOptions.DisableFormatting), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (AwsException error)
        {
            await WriteErrorAsync(context, service, requestId, error, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the listener is going down: drop the connection like a dying server would.
            context.Abort();
        }
        catch (Exception error) when (!context.Response.HasStarted)
        {
            // A bug here must still answer like AWS does (a retryable 500), never with an empty Kestrel 500. Only the
            // exception type is logged: a message could quote request data.
            logger.LogError("{Service} {Operation} failed with {ExceptionType}", service, operation, error.GetType().Name);
            await WriteErrorAsync(context, service, requestId, InternalError(service), cancellationToken).ConfigureAwait(false);
        }

        logger.LogDebug("{Method} {Service} {Operation} -> {Status} in {Elapsed} ms", context.Request.Method, service, operation,
            context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private JsonObject HandleKms(string target, SignedRequest request)
    {
        if (request.Method != "POST")
        {
            throw new AwsException(400, "UnknownOperationException", null);
        }

        if (faults.Sealed)
        {
            // "Sealed" = the key store behind KMS is unavailable: KMS's retryable fault for that is KeyUnavailableException.
            throw new AwsException(500, "KeyUnavailableException",
                "The request was rejected because the specified KMS key is not available. You can retry the request.");
        }

        var principal = _authenticator.Authenticate(AwsService.Kms, request);
        if (!throttle.TryTake())
        {
            throw new AwsException(400, "ThrottlingException",
                "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.");
        }

        if (!target.StartsWith(TargetPrefix, StringComparison.Ordinal))
        {
            throw new AwsException(400, "UnknownOperationException", null);
        }

        return _kms.Handle(target[TargetPrefix.Length..], KmsRequest.Parse(request.Body), principal);
    }

    private static AwsException InternalError(AwsService service) => service == AwsService.Kms
        ? new AwsException(500, "KMSInternalException", "The request was rejected because an internal exception occurred. The request can be retried.")
        : new AwsException(500, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.");

    private static async Task<SignedRequest> ReadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var http = context.Request;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new AwsException(413, "RequestEntityTooLargeException", $"The request body is larger than {MaxBodyBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (http.Path + http.QueryString).ToString();
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = question < 0 ? rawTarget : rawTarget[..question];
        var rawQuery = question < 0 ? "" : rawTarget[(question + 1)..];
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in http.Headers)
        {
            foreach (var value in values)
            {
                headers.Add(new KeyValuePair<string, string>(name, value ?? ""));
            }
        }

        return new SignedRequest(http.Method, rawPath, rawQuery, headers, buffer.ToArray());
    }

    /// <summary>Query-string and form-body parameters (the query protocol allows both); the body wins.</summary>
    private static Dictionary<string, string> StsParameters(HttpContext context, SignedRequest request)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in QueryHelpers.ParseQuery(request.RawQuery))
        {
            parameters[name] = value.ToString();
        }

        if (request.Body.Length > 0 && (context.Request.ContentType ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var (name, value) in QueryHelpers.ParseQuery(Encoding.UTF8.GetString(request.Body)))
            {
                parameters[name] = value.ToString();
            }
        }

        return parameters;
    }

    private static Task WriteErrorAsync(HttpContext context, AwsService service, string requestId, AwsException error,
        CancellationToken cancellationToken)
    {
        if (service == AwsService.Kms)
        {
            var body = new JsonObject { ["__type"] = error.Code };
            if (error.AwsMessage is not null)
            {
                body["message"] = error.AwsMessage;
            }

            return WriteAsync(context, error.StatusCode, KmsContentType, requestId, body.ToJsonString(), cancellationToken);
        }

        var ns = StsOperations.Ns;
        var xml = new XElement(ns + "ErrorResponse",
            new XElement(ns + "Error",
                new XElement(ns + "Type", error.FaultType),
                new XElement(ns + "Code", error.Code),
                new XElement(ns + "Message", error.AwsMessage ?? "")),
            new XElement(ns + "RequestId", requestId));
        return WriteAsync(context, error.StatusCode, "text/xml", requestId, xml.ToString(SaveOptions.DisableFormatting), cancellationToken);
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, string requestId, string body,
        CancellationToken cancellationToken)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }
}
